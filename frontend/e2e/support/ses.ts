/** One-time codes from the SES emulator's mailbox (GET /store). */

export const SES_URL = (process.env.SES_URL ?? 'http://127.0.0.1:8005').replace(/\/+$/, '');

interface StoredEmail {
  destination?: { to?: string[] };
  subject?: string;
  body?: { text?: string; html?: string };
}

async function emailsTo(address: string): Promise<StoredEmail[]> {
  const response = await fetch(`${SES_URL}/store`);
  if (!response.ok) throw new Error(`SES emulator: GET /store answered ${response.status}`);
  const store = (await response.json()) as { emails?: StoredEmail[] };
  const wanted = address.toLowerCase();
  return (store.emails ?? []).filter((e) => (e.destination?.to ?? []).some((to) => to.toLowerCase() === wanted));
}

/** The subjects of the emails the address has received, oldest first. */
export async function subjectsTo(address: string): Promise<string[]> {
  return (await emailsTo(address)).map((e) => e.subject ?? '');
}

/** How many emails the address has received so far (call before asking for a code). */
export async function mailCount(address: string): Promise<number> {
  return (await emailsTo(address)).length;
}

export function codeIn(email: StoredEmail): string | null {
  const text = `${email.subject ?? ''}\n${email.body?.text ?? ''}`;
  return /\b(\d{6})\b/.exec(text)?.[1] ?? null;
}

/** Waits for an email to `address` after the first `seen` ones, and returns its 6-digit code. */
export async function waitForCode(address: string, seen: number, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = (await emailsTo(address)).slice(seen);
    const code = fresh.map(codeIn).findLast((c) => c !== null);
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`No code emailed to ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The invitation link (…/join?invitation=…) in an email's text, if it has one. */
export function invitationLinkIn(email: StoredEmail): string | null {
  const text = `${email.body?.text ?? ''}\n${email.body?.html ?? ''}`;
  const match = /https?:\/\/[^\s"'<>]+\/join\?invitation=[^\s"'<>]+/.exec(text)?.[0];
  // A sentence may end right after the link.
  return match ? match.replace(/[.,;:!?)]+$/, '').replace(/&amp;/g, '&') : null;
}

/** Waits for an email to `address` after the first `seen` ones with an invitation link, and returns the link. */
export async function waitForInvitationLink(address: string, seen: number, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = (await emailsTo(address)).slice(seen);
    const link = fresh.map(invitationLinkIn).findLast((l) => l !== null);
    if (link) return link;
    if (Date.now() > deadline) throw new Error(`No invitation link emailed to ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
