import { describe, expect, it } from 'vitest';
import { api, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';

describe('cursor pagination', () => {
  it('pages through a collection with _links.next, each item once, newest first', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(await invite(owner, workspaceId, user(`p${i}`).email as string));

    const seen: string[] = [];
    const pageNumbers: number[] = [];
    let next: string | undefined = `/api/workspaces/${workspaceId}/invitations?size=2&status=PENDING`;
    while (next) {
      const page = await api.get(next, { as: owner });
      expect(page.status).toBe(200);
      expect(page.body.page.size).toBe(2);
      pageNumbers.push(page.body.page.number);
      seen.push(...page.body._embedded.invitations.map((i: { id: string }) => i.id));
      const href: string | undefined = page.body._links.next?.href;
      if (href) expect(new URL(href).searchParams.get('status')).toBe('PENDING');
      next = href ? href.replace('https://api.test', '') : undefined;
    }
    expect(seen).toEqual([...created].reverse());
    expect(pageNumbers.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('a cursor cannot be replayed with another filter', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    for (let i = 0; i < 3; i++) await invite(owner, workspaceId, user(`f${i}`).email as string);
    const first = await api.get(`/api/workspaces/${workspaceId}/invitations?size=1`, { as: owner });
    const cursor = new URL(first.body._links.next.href).searchParams.get('cursor') as string;
    const replay = await api.get(`/api/workspaces/${workspaceId}/invitations?size=1&status=REVOKED&cursor=${cursor}`, {
      as: owner,
    });
    expect(replay.status).toBe(400);
  });
});
