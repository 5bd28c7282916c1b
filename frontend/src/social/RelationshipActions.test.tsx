import { useState } from 'react';
import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Relationship } from '../api/types';
import { apiError, json, noContent } from '../test/fakeApi';
import { BOB, connection, renderSocial } from '../test/renderSocial';
import { actionsFor, afterAction, afterError, canBlock } from './relationship';
import { RelationshipActions } from './RelationshipActions';

function Harness({
  initial,
  onReload,
  blockable = false,
}: {
  initial: Relationship;
  onReload?: () => void;
  blockable?: boolean;
}) {
  const [relationship, setRelationship] = useState(initial);
  return (
    <>
      <RelationshipActions
        user={BOB}
        relationship={relationship}
        onChange={setRelationship}
        onReload={onReload}
        blockable={blockable}
      />
      <output data-testid="state">{relationship}</output>
    </>
  );
}

const state = () => screen.getByTestId('state').textContent;
const buttons = () => screen.queryAllByRole('button').map((b) => b.textContent);
const BOB_CONNECTION = connection(BOB.id, BOB.username);
/** POST /api/blocks answers 201 without a body. */
const created = () => new Response(null, { status: 201 });

describe('relationship state machine (pure)', () => {
  it('offers the buttons of each state', () => {
    expect(actionsFor('none')).toEqual(['connect']);
    expect(actionsFor('outgoing_request')).toEqual(['cancel']);
    expect(actionsFor('incoming_request')).toEqual(['accept', 'decline']);
    expect(actionsFor('connected')).toEqual(['disconnect']);
    expect(actionsFor('blocked')).toEqual(['unblock']);
    expect(actionsFor('self')).toEqual([]);
  });

  it('offers blocking to anyone but oneself, once', () => {
    for (const r of ['none', 'outgoing_request', 'incoming_request', 'connected'] as const) expect(canBlock(r)).toBe(true);
    expect(canBlock('blocked')).toBe(false);
    expect(canBlock('self')).toBe(false);
  });

  it('moves to the right state after each action', () => {
    expect(afterAction('connect', { status: 'pending' })).toBe('outgoing_request');
    expect(afterAction('connect', { status: 'connected', connection: BOB_CONNECTION })).toBe('connected');
    expect(afterAction('cancel')).toBe('none');
    expect(afterAction('accept')).toBe('connected');
    expect(afterAction('decline')).toBe('none');
    expect(afterAction('disconnect')).toBe('none');
    expect(afterAction('block')).toBe('blocked');
    // Unblocking does not reconnect.
    expect(afterAction('unblock')).toBe('none');
  });

  it('learns the real state from refusals that show the screen was stale', () => {
    expect(afterError('already_connected')).toBe('connected');
    expect(afterError('request_already_sent')).toBe('outgoing_request');
    expect(afterError('request_not_found')).toBe('reload');
    expect(afterError('you_blocked_them')).toBe('blocked');
    expect(afterError('not_blocked')).toBe('reload');
    expect(afterError('connection_limit_reached')).toBeNull();
  });
});

describe('RelationshipActions', () => {
  it('none → connect → outgoing_request → cancel → none', async () => {
    const { user, server, store } = renderSocial(<Harness initial="none" />, {
      'POST /connections/requests': json(201, { status: 'pending' }),
      'DELETE /connections/requests/u-bob': noContent(),
    });
    store.setRequestCount('outgoing', 2);
    expect(screen.getByText('You and @bob are not connected.')).toBeTruthy();
    expect(buttons()).toEqual(['Connect']);

    await user.click(screen.getByRole('button', { name: 'Connect' }));

    expect(await screen.findByText('You asked to connect. Waiting for @bob to accept.')).toBeTruthy();
    expect(state()).toBe('outgoing_request');
    expect(buttons()).toEqual(['Cancel request']);
    expect(server.to('POST', '/connections/requests')[0]!.body).toEqual({ user_id: 'u-bob' });
    expect(store.state.requests.outgoing).toBe(3);
    // Focus stays in place (on the new status) although the clicked button is gone.
    expect(document.activeElement?.textContent).toMatch(/You asked to connect/);

    await user.click(screen.getByRole('button', { name: 'Cancel request' }));

    expect(await screen.findByText('You and @bob are not connected.')).toBeTruthy();
    expect(state()).toBe('none');
    expect(buttons()).toEqual(['Connect']);
    expect(server.to('DELETE', '/connections/requests/u-bob')).toHaveLength(1);
    expect(store.state.requests.outgoing).toBe(2);
  });

  it('connects at once when they had already asked (mutual requests)', async () => {
    const { user } = renderSocial(<Harness initial="none" />, {
      'POST /connections/requests': json(200, { status: 'connected', connection: BOB_CONNECTION }),
    });
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    await vi.waitFor(() => expect(state()).toBe('connected'));
    expect(buttons()).toEqual(['Disconnect']);
  });

  it('incoming → accept → connected', async () => {
    const { user, server, store } = renderSocial(<Harness initial="incoming_request" />, {
      'POST /connections/requests/u-bob/accept': json(200, { connection: BOB_CONNECTION }),
    });
    store.setRequestCount('incoming', 1);
    expect(screen.getByText('@bob asked to connect with you.')).toBeTruthy();
    expect(buttons()).toEqual(['Accept', 'Decline']);

    await user.click(screen.getByRole('button', { name: 'Accept' }));

    await vi.waitFor(() => expect(state()).toBe('connected'));
    expect(buttons()).toEqual(['Disconnect']);
    expect(server.to('POST', '/connections/requests/u-bob/accept')).toHaveLength(1);
    expect(store.state.requests.incoming).toBe(0);
  });

  it('incoming → decline → none', async () => {
    const { user, server } = renderSocial(<Harness initial="incoming_request" />, {
      'DELETE /connections/requests/u-bob': noContent(),
    });
    await user.click(screen.getByRole('button', { name: 'Decline' }));
    await vi.waitFor(() => expect(state()).toBe('none'));
    expect(buttons()).toEqual(['Connect']);
    expect(server.to('DELETE', '/connections/requests/u-bob')).toHaveLength(1);
  });

  it('connected → disconnect asks first, saying what it does; Escape backs out', async () => {
    const { user, server } = renderSocial(<Harness initial="connected" />, {
      'DELETE /connections/u-bob': noContent(),
    });

    await user.click(screen.getByRole('button', { name: 'Disconnect' }));
    const confirm = screen.getByRole('group', { name: /Disconnect from @bob\?/ });
    expect(confirm.textContent).toMatch(/stop seeing each other’s posts/);
    expect(confirm.textContent).toMatch(/your tags on @bob are removed/);
    expect(document.activeElement).toBe(confirm);
    expect(server.requests).toHaveLength(0);

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Disconnect' }));

    await user.click(screen.getByRole('button', { name: 'Disconnect' }));
    await user.click(screen.getByRole('button', { name: 'Stay connected' }));
    expect(state()).toBe('connected');
    expect(server.requests).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Disconnect' }));
    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));

    await vi.waitFor(() => expect(state()).toBe('none'));
    expect(buttons()).toEqual(['Connect']);
    expect(server.to('DELETE', '/connections/u-bob')).toHaveLength(1);
  });

  it('shows a refusal next to the buttons and keeps the state', async () => {
    const { user } = renderSocial(<Harness initial="incoming_request" />, {
      'POST /connections/requests/u-bob/accept': apiError(
        409,
        'their_connection_limit_reached',
        '@bob already has 100 connections.',
      ),
    });
    await user.click(screen.getByRole('button', { name: 'Accept' }));
    expect((await screen.findByRole('alert')).textContent).toBe('@bob already has 100 connections.');
    expect(state()).toBe('incoming_request');
    expect(buttons()).toEqual(['Accept', 'Decline']);
  });

  it('corrects a stale screen from the refusal, or asks the server again', async () => {
    const onReload = vi.fn();
    const { user } = renderSocial(<Harness initial="none" onReload={onReload} />, {
      'POST /connections/requests': apiError(409, 'request_already_sent', 'You already asked @bob.'),
      'DELETE /connections/requests/u-bob': apiError(404, 'request_not_found', 'There is no such request.'),
    });

    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect((await screen.findByRole('alert')).textContent).toBe('You already asked @bob.');
    expect(state()).toBe('outgoing_request');

    await user.click(screen.getByRole('button', { name: 'Cancel request' }));
    expect((await screen.findByRole('alert')).textContent).toBe('There is no such request.');
    expect(onReload).toHaveBeenCalledTimes(1);
  });

  it('shows a disconnect failure inside the confirmation', async () => {
    const { user } = renderSocial(<Harness initial="connected" />, {
      'DELETE /connections/u-bob': new TypeError('Failed to fetch'),
    });
    await user.click(screen.getByRole('button', { name: 'Disconnect' }));
    await user.click(screen.getByRole('button', { name: 'Yes, disconnect' }));
    const confirm = screen.getByRole('group', { name: /Disconnect from @bob\?/ });
    expect((await within(confirm).findByRole('alert')).textContent).toMatch(/Couldn't reach/);
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(state()).toBe('connected');
  });

  it('offers nothing on one’s own page', () => {
    renderSocial(<Harness initial="self" blockable />);
    expect(screen.getByText(/This is you\./)).toBeTruthy();
    expect(buttons()).toEqual([]);
  });
});

describe('RelationshipActions: blocking', () => {
  it('offers Block only where asked to (a person’s page, not search results)', () => {
    renderSocial(<Harness initial="none" />);
    expect(buttons()).toEqual(['Connect']);
  });

  it('asks first, saying what blocking does; Escape and Cancel back out without a request', async () => {
    const { user, server } = renderSocial(<Harness initial="connected" blockable />);
    expect(buttons()).toEqual(['Disconnect', 'Block']);

    await user.click(screen.getByRole('button', { name: 'Block' }));
    const confirm = screen.getByRole('group', { name: /^Block @bob\?/ });
    expect(confirm.textContent).toBe(
      'Block @bob? Your connection and any requests between you end now. They won’t be able to find you, ' +
        'see your profile or anything you share, or ask to connect. They are not told.' +
        'Block @bobCancel',
    );
    expect(document.activeElement).toBe(confirm);

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Block' }));

    await user.click(screen.getByRole('button', { name: 'Block' }));
    await user.click(within(screen.getByRole('group')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group')).toBeNull();
    expect(state()).toBe('connected');
    expect(server.requests).toHaveLength(0);
  });

  it('connected → block (confirmed) → blocked: the connection leaves the shared list', async () => {
    const { user, server, store } = renderSocial(<Harness initial="connected" blockable />, {
      'GET /connections': json(200, { connections: [BOB_CONNECTION], count: 1, limit: 100 }),
      'POST /blocks': created(),
    });
    await store.reloadConnections();

    await user.click(screen.getByRole('button', { name: 'Block' }));
    await user.click(screen.getByRole('button', { name: 'Block @bob' }));

    expect(await screen.findByText('You blocked @bob.')).toBeTruthy();
    expect(state()).toBe('blocked');
    expect(buttons()).toEqual(['Unblock']);
    expect(server.to('POST', '/blocks').map((r) => r.body)).toEqual([{ user_id: 'u-bob' }]);
    expect(store.state.connections?.data).toMatchObject({ connections: [], count: 0 });
    // The clicked button is gone: focus is on the new status.
    expect(document.activeElement?.textContent).toBe('You blocked @bob.');
  });

  it('blocking ends a pending request, in the navigation’s counts too', async () => {
    const { user, store } = renderSocial(<Harness initial="incoming_request" blockable />, {
      'POST /blocks': created(),
    });
    store.setRequestCount('incoming', 3);
    await user.click(screen.getByRole('button', { name: 'Block' }));
    await user.click(screen.getByRole('button', { name: 'Block @bob' }));
    await vi.waitFor(() => expect(state()).toBe('blocked'));
    expect(store.state.requests.incoming).toBe(2);
  });

  it('blocked → unblock → not connected, saying either may ask again; Block is offered again', async () => {
    const { user, server } = renderSocial(<Harness initial="blocked" blockable />, {
      'DELETE /blocks/u-bob': noContent(),
    });
    expect(screen.getByText('You blocked @bob.')).toBeTruthy();
    expect(buttons()).toEqual(['Unblock']);

    await user.click(screen.getByRole('button', { name: 'Unblock' }));

    expect(
      await screen.findByText('You unblocked @bob. You are not connected; either of you can ask again.'),
    ).toBeTruthy();
    expect(state()).toBe('none');
    expect(buttons()).toEqual(['Connect', 'Block']);
    expect(server.to('DELETE', '/blocks/u-bob')).toHaveLength(1);
    expect(document.activeElement?.textContent).toMatch(/^You unblocked @bob\./);
  });

  it('shows a block failure inside the confirmation and keeps the state', async () => {
    const { user } = renderSocial(<Harness initial="none" blockable />, {
      'POST /blocks': new TypeError('Failed to fetch'),
    });
    await user.click(screen.getByRole('button', { name: 'Block' }));
    await user.click(screen.getByRole('button', { name: 'Block @bob' }));
    const confirm = screen.getByRole('group', { name: /^Block @bob\?/ });
    expect((await within(confirm).findByRole('alert')).textContent).toMatch(/Couldn't reach/);
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(state()).toBe('none');
  });

  it('a connect refused with you_blocked_them shows the blocked state and the reason', async () => {
    const message =
      'You blocked this person. Unblock them under Blocked people first if you want to ask them to connect.';
    const { user } = renderSocial(<Harness initial="none" blockable />, {
      'POST /connections/requests': apiError(409, 'you_blocked_them', message),
    });
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    expect(state()).toBe('blocked');
    expect(buttons()).toEqual(['Unblock']);
  });

  it('an unblock answered not_blocked asks the server for the real state', async () => {
    const onReload = vi.fn();
    const { user } = renderSocial(<Harness initial="blocked" blockable onReload={onReload} />, {
      'DELETE /blocks/u-bob': apiError(404, 'not_blocked', 'You have not blocked this person.'),
    });
    await user.click(screen.getByRole('button', { name: 'Unblock' }));
    expect((await screen.findByRole('alert')).textContent).toBe('You have not blocked this person.');
    expect(onReload).toHaveBeenCalledTimes(1);
  });
});
