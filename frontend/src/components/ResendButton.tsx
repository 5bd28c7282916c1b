import { useSecondsUntil } from '../lib/useClock';
import { formatWait } from '../api/errors';
import { Button } from './Button';

interface ResendButtonProps {
  /** Epoch ms from which a new code may be requested. */
  availableAt: number;
  busy: boolean;
  onResend: () => void;
}

/** "Resend code", with a countdown while the cooldown runs. */
export function ResendButton({ availableAt, busy, onResend }: ResendButtonProps) {
  const secondsLeft = useSecondsUntil(availableAt);
  const waiting = secondsLeft > 0;
  return (
    <Button
      variant="secondary"
      busy={busy}
      busyLabel="Sending…"
      aria-disabled={waiting || busy || undefined}
      onClick={() => {
        if (!waiting) onResend();
      }}
    >
      {waiting ? `Resend code in ${formatWait(secondsLeft)}` : 'Resend code'}
    </Button>
  );
}
