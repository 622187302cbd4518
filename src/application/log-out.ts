import { inject, injectable } from 'inversify';
import { Sessions } from './ports.js';

@injectable()
export class LogOut {
  constructor(@inject(Sessions) private readonly sessions: Sessions) {}

  /** Ends the session on the server, so a copy of its cookie stops working. */
  async execute(input: { sessionKey: string }): Promise<void> {
    await this.sessions.end(input.sessionKey);
  }
}
