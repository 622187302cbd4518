import type { Container } from 'inversify';
import { EndSession } from '../application/sessions/end-session.js';
import { EndSessions } from '../application/sessions/end-sessions.js';
import { ListSessions } from '../application/sessions/list-sessions.js';
import { IssueAccessToken } from '../application/tokens/issue-access-token.js';
import { JWKS_MAX_AGE_SECONDS } from '../application/tokens/key-ring.js';
import { ReadAccessToken } from '../application/tokens/read-access-token.js';

/** What the HTTP app needs for sessions and tokens, from the container. */
export function tokenRoutes(container: Container) {
  const read = container.get(ReadAccessToken);
  return {
    useCases: {
      listSessions: container.get(ListSessions),
      endSession: container.get(EndSession),
      endSessions: container.get(EndSessions),
      issueAccessToken: container.get(IssueAccessToken),
    },
    options: {
      jwks: { published: () => read.published(), maxAgeSeconds: JWKS_MAX_AGE_SECONDS },
    },
  };
}
