// An OAuth 2.0 authorization server for authwire's conformance tests: panva
// oidc-provider (the version pinned in package-lock.json) with the
// client_credentials, authorization code + PKCE, refresh token and device
// authorization grants, RFC 7662 introspection, RFC 7009 revocation and
// RFC 8414 discovery.
//
//   node oidc-provider.mjs CONFIG.json
//
// CONFIG.json holds {"clients": [...client metadata...], "accessTokenTTL": s,
// "tls": {"cert": PATH, "key": PATH}}; with tls the server speaks HTTPS.
// The secrets are the caller's (random per run); nothing here holds one.
// The server listens on 127.0.0.1 at a free port and, once it accepts
// connections, prints one line of JSON to stdout: {"issuer": "https://127.0.0.1:PORT"}.
// It stops on SIGTERM or SIGINT, or when its standard input closes (so it
// never outlives the test that started it).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHTTPServer } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';

import Provider from 'oidc-provider';

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: node oidc-provider.mjs CONFIG.json\n');
  process.exit(2);
}
const conf = JSON.parse(readFileSync(configPath, 'utf8'));
const accessTokenTTL = conf.accessTokenTTL ?? 3600;

const server = conf.tls
  ? createHTTPSServer({ cert: readFileSync(conf.tls.cert), key: readFileSync(conf.tls.key) })
  : createHTTPServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `${conf.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: conf.clients,
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  scopes: ['openid', 'offline_access', 'all'],
  // Every public client must use PKCE (the default); S256 is the only method.
  // Refresh tokens for every client allowed the grant, whatever the scope.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  ttl: {
    AccessToken: accessTokenTTL,
    ClientCredentials: accessTokenTTL,
    AuthorizationCode: 300,
    DeviceCode: 600,
    Interaction: 600,
    Grant: 86400,
    Session: 86400,
    RefreshToken: 86400,
    IdToken: 3600,
  },
});

// Log failed grants to stderr, where the tests show them on failure.
provider.on('grant.error', (_ctx, err) => process.stderr.write(`grant.error: ${err.message} ${err.error_description ?? ''} ${err.error_detail ?? ''}\n`));
provider.on('server_error', (_ctx, err) => process.stderr.write(`server_error: ${err.stack}\n`));

server.on('request', provider.callback());

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
