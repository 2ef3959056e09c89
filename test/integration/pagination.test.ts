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

describe('pages of a filtered collection', () => {
  /** Every page of `path`, followed through _links.next. */
  async function allPages(path: string, as: ReturnType<typeof user>): Promise<string[][]> {
    const pages: string[][] = [];
    let next: string | undefined = path;
    while (next) {
      const page = await api.get(next, { as });
      expect(page.status).toBe(200);
      pages.push(page.body._embedded.invitations.map((i: { id: string }) => i.id));
      const href: string | undefined = page.body._links.next?.href;
      next = href ? href.replace('https://api.test', '') : undefined;
      expect(pages.length).toBeLessThan(20);
    }
    return pages;
  }

  it('are full until the last, and the last has no next link, however sparse the matches', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const created: string[] = [];
    for (let i = 0; i < 9; i++) created.push(await invite(owner, workspaceId, user(`s${i}`).email as string));
    // Withdraw every third one: REVOKED matches are spread thinly between PENDING ones.
    const revoked = created.filter((_, i) => i % 3 === 0);
    for (const id of revoked) expect((await api.put(`/api/invitations/${id}/revoked`, { as: owner })).status).toBe(200);
    const pending = created.filter((id) => !revoked.includes(id));

    const revokedPages = await allPages(`/api/workspaces/${workspaceId}/invitations?size=2&status=REVOKED`, owner);
    expect(revokedPages.map((page) => page.length)).toEqual([2, 1]);
    expect(revokedPages.flat()).toEqual([...revoked].reverse());

    const pendingPages = await allPages(`/api/workspaces/${workspaceId}/invitations?size=3&status=PENDING`, owner);
    expect(pendingPages.map((page) => page.length)).toEqual([3, 3]);
    expect(pendingPages.flat()).toEqual([...pending].reverse());
  });

  it('an unfiltered collection that fills its last page exactly has no next link', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    for (let i = 0; i < 4; i++) await invite(owner, workspaceId, user(`e${i}`).email as string);
    const pages = await allPages(`/api/workspaces/${workspaceId}/invitations?size=2`, owner);
    expect(pages.map((page) => page.length)).toEqual([2, 2]);
  });
});
