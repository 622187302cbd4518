/**
 * A downstream service verifying authsvc access tokens, as examples/verify-access-token.ts does (jose, remote
 * JWKS fetched once and cached). One process, one thread: the count is per core. Prints one JSON line when done.
 * argv: <authsvc base URL> <accessToken> <duration ms>
 */
import { accessTokenVerifier } from '../examples/verify-access-token.js';

const [base, token, durationArg] = process.argv.slice(2) as [string, string, string];
const { iss, aud } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; aud: string };
const verify = accessTokenVerifier({ authsvcUrl: base, issuer: iss, audience: aud });
await verify(token); // fetches and caches the key set
const durationMs = Number(durationArg);
const started = performance.now();
let count = 0;
while (performance.now() - started < durationMs) {
  await verify(token);
  count += 1;
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ verifications: count, seconds, perSecond: Math.round(count / seconds) }));
