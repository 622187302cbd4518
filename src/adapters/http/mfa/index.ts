import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Clock, UserRepository } from '../../../application/ports.js';
import type { Callers } from '../session.js';
import { mfaGate } from './gate.js';
import { loginMfaRouter, type LoginMfaRoutes } from './login-mfa-router.js';
import { mfaRouter, type MfaRoutes } from './mfa-router.js';
import { LoginSessions } from './session-state.js';
import { webauthnRouter, type WebAuthnRoutes } from './webauthn-router.js';

export type SecondFactorRoutes = MfaRoutes & WebAuthnRoutes & LoginMfaRoutes;

export interface SecondFactorHttpOptions {
  useCases: SecondFactorRoutes;
  users: UserRepository;
  clock: Clock;
  reauthWindowMs: number;
  requiredForAdmins: boolean;
}

/** The HTTP side of second factors: its routers, the gate that runs before every router, and the login sessions. */
export interface SecondFactorHttp {
  gate: Middleware;
  routers(callers: Callers): Router[];
  sessions: LoginSessions;
}

export function secondFactorHttp(options: SecondFactorHttpOptions): SecondFactorHttp {
  const sessions = new LoginSessions(options.clock, options.reauthWindowMs);
  const { useCases: uc, users, requiredForAdmins } = options;
  return {
    sessions,
    gate: mfaGate({ sessions, users, secondFactors: uc.secondFactors, requiredForAdmins }),
    routers: (callers) => [mfaRouter(uc, callers, sessions), webauthnRouter(uc, callers, sessions), loginMfaRouter(uc, callers, sessions)],
  };
}
