// The real authorization server that tokendeck's integration tests talk to: oidc-provider on
// 127.0.0.1 and a free port, with login and consent approved automatically, a protected API
// route, counters a test can read, and faults a test can inject.
//
// Started by tests/it/common/mod.rs. Prints one line, `listening http://127.0.0.1:PORT`, once it
// accepts connections, and exits when its standard input closes, so a test that dies (even by
// SIGKILL) never leaves it running.
//
// Options (environment):
//   ACCESS_TTL   access token lifetime in seconds (default 3600; `/__test/access-ttl?seconds=N`
//                changes it for tokens issued later)
//   ROTATE       "0" turns refresh-token rotation off (default on)
//   OMIT_EXPIRES_IN  "1" leaves expires_in out of token responses, as some providers do, so that
//                a client learns of expiry only from a 401
//   REFRESH_TOKEN_EXPIRES_IN  seconds: each token answer that carries a refresh token also says
//                `refresh_token_expires_in` (as Microsoft and GitHub Apps do)
//   DEVICE_INTERVAL  seconds between device-flow polls, added to the device authorization answer
//                as `interval` (oidc-provider sends none, so clients wait the RFC's 5 s)
//   DEVICE_TTL   device code lifetime in seconds (default 600)
//   ID_TOKEN_TTL ID token lifetime in seconds (default 3600)
//   REFRESH_TOKENS  `offline`: a refresh token only for a grant whose scopes hold offline_access
//                (oidc-provider's own rule, which also drops offline_access from a request without
//                prompt=consent, as OpenID Connect Core §11 says); default: for every client
//                allowed the refresh_token grant
//   STORE_SIZE   how many items (sessions, grants, codes, tokens…) the in-memory store keeps before
//                it forgets the oldest (oidc-provider's default: 1000, which a benchmark linking a
//                thousand accounts outgrows: their grants would be forgotten)
//   DISCOVERY    which metadata documents are served: `openid` (default: OpenID Connect discovery
//                only, as oidc-provider does), `oauth` (only RFC 8414's
//                /.well-known/oauth-authorization-server; openid-configuration answers 404), or
//                `split` (both, with the revocation and introspection endpoints only in RFC 8414's,
//                as django-oauth-toolkit does)
//   HOST_NAME    the name the issuer gives its host by (`localhost`, which clients must resolve);
//                default 127.0.0.1. The server listens on 127.0.0.1 either way.
//   ISSUER_PATH  a path the issuer ends in (`/tenant`): every endpoint is served under it, and RFC
//                8414's document at /.well-known/oauth-authorization-server/tenant (§3.1)
//   SIGNING_KEY_FILE  where the servers of one test run share their signing key (tests/run gives
//                one): the first writes the key it made there, the others sign with it. Making a
//                2048-bit RSA key is a third of a start's CPU, and a run starts a server per test.
//                Unset: a key of its own.
//
// Faults (`/__test/fault?path=…&count=…&…`, consumed in order) can also be hostile:
//   echo=1       with `status=` (and `error=`, default invalid_grant): an OAuth error whose
//                error_description echoes the secrets the request carried — each decoded
//                (refresh_token, code, code_verifier, device_code, token, client_secret from the
//                body or the Basic header), then the raw form body (percent-encoded) and the
//                Authorization header — as careless providers do
//   inject=F,G   after the real handler: appends `text` (default: an OSC 52 clipboard write, a
//                screen clear, a bell, an 8-bit CSI, a bidi override and DEL) to the JSON answer's
//                fields F and G (a device authorization's verification_uri or user_code, say)
//
// Like django-oauth-toolkit, the device authorization endpoint refuses a request without
// `client_id` in its body, even from a client that authenticates with HTTP Basic.
//
// `/__test/id-token?grant=G&claims=JSON&shift_auth_time=S` makes the next ID token issued for grant
// type G (`authorization_code`, `refresh_token`, …) carry other claims — JSON members replace
// claims, `null` removes one, S seconds are added to `auth_time` — signed again with the
// provider's own key: an ID token this provider really issued, with claims a client must catch.

import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

// Standard output carries one line, `listening …`, which the test reads and then stops reading:
// oidc-provider's own notices (console.log/info, e.g. on an aborted device sign-in) go to stderr,
// or a write to the closed pipe would kill the server.
console.log = console.info = console.warn;

// Read at each issue, so `/__test/access-ttl?seconds=N` can change it for the tokens issued next.
let accessTtl = Number(process.env.ACCESS_TTL ?? 3600);
const rotate = process.env.ROTATE !== '0';
const omitExpiresIn = process.env.OMIT_EXPIRES_IN === '1';
const refreshTokenExpiresIn = process.env.REFRESH_TOKEN_EXPIRES_IN
  ? Number(process.env.REFRESH_TOKEN_EXPIRES_IN)
  : undefined;
const deviceInterval = process.env.DEVICE_INTERVAL ? Number(process.env.DEVICE_INTERVAL) : undefined;
const deviceTtl = Number(process.env.DEVICE_TTL ?? 600);
const idTokenTtl = Number(process.env.ID_TOKEN_TTL ?? 3600);
const offlineOnly = process.env.REFRESH_TOKENS === 'offline';
const storeSize = process.env.STORE_SIZE ? Number(process.env.STORE_SIZE) : undefined;
const store = storeSize ? new LRU({ maxSize: storeSize }) : undefined;
const discovery = process.env.DISCOVERY ?? 'openid';
const mount = process.env.ISSUER_PATH ?? '';

// Native clients may redirect to a loopback address on any port (RFC 8252 §7.3).
const redirectUris = ['http://127.0.0.1/callback', 'http://[::1]/callback', 'http://localhost/callback'];
const common = {
  application_type: 'native',
  redirect_uris: redirectUris,
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  // ID tokens say when the user signed in (`auth_time`), which a refresh's must not move back.
  require_auth_time: true,
};
const clients = [
  { ...common, client_id: 'basic-client', client_secret: 'basic-secret-value', token_endpoint_auth_method: 'client_secret_basic' },
  { ...common, client_id: 'post-client', client_secret: 'post-secret-value', token_endpoint_auth_method: 'client_secret_post' },
  { ...common, client_id: 'public-client', token_endpoint_auth_method: 'none' },
  // Plain OAuth 2.0, without OpenID Connect (no `openid` scope, no ID token): for an account made
  // from a preset whose ID tokens would be checked against the real provider's keys.
  { ...common, client_id: 'oauth-client', client_secret: 'oauth-secret-value', token_endpoint_auth_method: 'client_secret_post', require_auth_time: false },
];

const counts = {};
const count = (key) => { counts[key] = (counts[key] ?? 0) + 1; };
// Token requests being answered right now, and the most seen at once (`token in flight max` in
// the stats): what a client's concurrency limit looks like from the server's side.
let tokenInFlight = 0;
// Faults a test asked for, consumed in order: { path, status, count, delayBeforeMs, delayAfterMs, retryAfter,
// body, contentType, repeat }. With `status`, the real handler is skipped and the fault answers; with `body` alone (and
// no status), the real handler runs first (a refresh token may rotate) and its answer is replaced by `body`.
const faults = [];
// ID token changes a test asked for, consumed in order: { grant, claims, shiftAuthTime }.
const idTokenChanges = [];

// What a hostile provider puts in its words, raw (`inject` appends it).
const ATTACK = '\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u009b2J\u202eevil\u007f';
// The fields of a request that carry a secret, echoed by `echo`.
const SECRET_FIELDS = ['refresh_token', 'code', 'code_verifier', 'device_code', 'token', 'client_secret'];

// The request's form body, read whole (oidc-provider has not read it: its routes parse bodies,
// and a fault with a status answers before them).
async function rawBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return raw;
}

// An OAuth error that repeats every secret the request carried, in each form it arrived in.
async function echoAnswer(ctx, error) {
  const raw = await rawBody(ctx.req);
  const form = new URLSearchParams(raw);
  const authorization = ctx.get('authorization') ?? '';
  const basic = /^Basic (.+)$/i.exec(authorization)?.[1];
  const decode = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
  const fromBasic = basic ? Buffer.from(basic, 'base64').toString().split(':').map(decode) : [];
  const secrets = SECRET_FIELDS.flatMap((field) => {
    const value = field === 'client_secret' ? form.get(field) ?? fromBasic[1] : form.get(field);
    return value ? [`${field}=${value}`] : [];
  });
  return {
    error,
    error_description: `refused ${secrets.join(' ')}; the request was ${raw}; Authorization: ${authorization}`,
  };
}

function takeFault(path) {
  const index = faults.findIndex((f) => f.path === path);
  if (index === -1) return undefined;
  const fault = faults[index];
  fault.count -= 1;
  if (fault.count <= 0) faults.splice(index, 1);
  return fault;
}

// The private key (a JWK) in `file` if one is there; else a new one, left there for the next.
function signingKey(file) {
  if (file) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
  }
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  if (file) {
    // Written whole under a name of its own, then renamed: a server starting meanwhile reads the
    // whole key or none.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(key), { mode: 0o600 });
    renameSync(partial, file);
  }
  return key;
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://${process.env.HOST_NAME || '127.0.0.1'}:${server.address().port}`;
const issuer = `${origin}${mount}`;

const key = signingKey(process.env.SIGNING_KEY_FILE);
const privateKey = createPrivateKey({ key, format: 'jwk' });
const jwk = { ...key, use: 'sig', kid: 'test' };

const provider = new Provider(issuer, {
  ...(store ? { adapter: (model) => new MemoryAdapter(model, store, 0) } : {}),
  clients,
  jwks: { keys: [jwk] },
  cookies: { keys: ['tokendeck-test-cookie-key'] },
  // The default 15 s tolerance would keep an expired access token valid; tests measure expiry.
  clockTolerance: 0,
  ttl: {
    AccessToken: () => accessTtl,
    AuthorizationCode: 60,
    DeviceCode: deviceTtl,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Interaction: 600,
    Session: 3600,
    IdToken: idTokenTtl,
  },
  rotateRefreshToken: rotate,
  scopes: ['openid', 'offline_access', 'api', 'email', 'profile'],
  // Scope claims go to userinfo, not into the ID token, whenever an access token is issued
  // (oidc-provider's conformIdTokenClaims): the ID token says only `sub`, userinfo the email.
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // A refresh token for every client allowed the grant, without needing prompt=consent (unless
  // REFRESH_TOKENS=offline asks for oidc-provider's rule: only with the offline_access scope).
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && (!offlineOnly || code.scopes.has('offline_access')),
  // Under the issuer's path when it has one (oidc-provider's default is the root's /interaction).
  interactions: { url: async (_ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    deviceFlow: { enabled: true },
    // Every test client may introspect the tokens issued to it (RFC 7662).
    introspection: {
      enabled: true,
      allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
    },
  },
  // oidc-provider gives each answer only the claims its scopes ask for.
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: 'test-user@example.test', email_verified: true, name: 'Test User' }),
  }),
});

// Login and consent are approved at once, unless the authorize request says login_hint=deny.
async function interaction(ctx) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.params.login_hint === 'deny') {
    result = { error: 'access_denied', error_description: 'The user denied the request.' };
  } else if (details.prompt.name === 'login') {
    result = { login: { accountId: 'test-user' } };
  } else {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope ?? 'openid');
    result = { consent: { grantId: await grant.save() } };
  }
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
}

// A protected resource: 200 with the subject for a live access token, 401 otherwise.
async function api(ctx) {
  const value = /^Bearer (.+)$/i.exec(ctx.get('authorization') ?? '')?.[1];
  const token = value && await provider.AccessToken.find(value);
  const grant = token && await provider.Grant.find(token.grantId);
  if (!token || token.isExpired || !grant) {
    count('api 401');
    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
    ctx.body = { error: 'invalid_token' };
    return;
  }
  count('api 200');
  ctx.body = { sub: token.accountId, scope: token.scope };
}

// Test controls: counters, faults, server-side revocation of one access token.
async function control(ctx) {
  const q = ctx.query;
  switch (ctx.path) {
    case '/__test/stats':
      ctx.body = { counts, faults: faults.length, tokenInFlight };
      return;
    case '/__test/access-ttl':
      accessTtl = Number(q.seconds);
      ctx.status = 204;
      return;
    case '/__test/reset-token-in-flight-max':
      counts['token in flight max'] = tokenInFlight;
      ctx.status = 204;
      return;
    case '/__test/fault':
      faults.push({
        path: q.path ?? '/token',
        status: q.status ? Number(q.status) : undefined,
        count: Number(q.count ?? 1),
        delayBeforeMs: Number(q.delay_before_ms ?? 0),
        delayAfterMs: Number(q.delay_after_ms ?? 0),
        retryAfter: q.retry_after,
        body: q.body,
        contentType: q.content_type ?? 'application/json',
        // The body `repeat` times over: a large answer without a large query.
        repeat: Number(q.repeat ?? 1),
        echo: q.echo === '1',
        error: q.error ?? 'invalid_grant',
        inject: q.inject ? q.inject.split(',') : [],
        text: q.text ?? ATTACK,
      });
      ctx.status = 204;
      return;
    case '/__test/id-token':
      idTokenChanges.push({
        grant: q.grant ?? 'refresh_token',
        claims: q.claims ? JSON.parse(q.claims) : {},
        shiftAuthTime: Number(q.shift_auth_time ?? 0),
      });
      ctx.status = 204;
      return;
    case '/__test/revoke-access': {
      const token = await provider.AccessToken.find(q.token ?? '');
      if (token) await token.destroy();
      ctx.status = token ? 204 : 404;
      return;
    }
    default:
      ctx.status = 404;
  }
}

provider.on('grant.error', (_ctx, err) => {
  if (err.error_detail === 'refresh token already used') count('refresh token reused');
});

provider.use(async (ctx, next) => {
  if (ctx.path.startsWith('/__test/')) return control(ctx);
  if (ctx.path.startsWith('/interaction/')) return interaction(ctx);
  if (ctx.path === '/api/me') {
    count('api request');
    const fault = takeFault('/api/me');
    if (fault?.delayBeforeMs) await sleep(fault.delayBeforeMs);
    if (fault?.status) {
      count('api fault');
      ctx.status = fault.status;
      if (fault.body !== undefined) { ctx.type = fault.contentType; ctx.body = fault.body.repeat(fault.repeat); }
      return;
    }
    return api(ctx);
  }

  // The server's own look at its OpenID Connect document (for RFC 8414's) is not a client's.
  if (ctx.get('x-test-internal') !== '1') count(`${ctx.method} ${ctx.path}`);
  if (ctx.path === '/.well-known/openid-configuration') return openidConfiguration(ctx, next);
  if (ctx.path === '/.well-known/oauth-authorization-server') {
    return handle(ctx, () => authorizationServerMetadata(ctx));
  }
  if (ctx.path === '/device/auth' && ctx.method === 'POST' && !await hasClientIdInBody(ctx)) {
    count('device auth without client_id');
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: 'Missing client_id parameter.' };
    return;
  }
  if (ctx.path !== '/token') return handle(ctx, next);
  tokenInFlight += 1;
  counts['token in flight max'] = Math.max(counts['token in flight max'] ?? 0, tokenInFlight);
  try {
    return await handle(ctx, next);
  } finally {
    tokenInFlight -= 1;
  }
});

// Every request but the test controls, interactions and the API: faults, then the real handler.
async function handle(ctx, next) {
  const fault = takeFault(ctx.path);
  if (fault?.delayBeforeMs) {
    await sleep(fault.delayBeforeMs);
    // A client that gave up meanwhile: the server never acts on its request (nothing rotates).
    if (ctx.req.socket.destroyed) { count('fault abandoned'); return; }
  }
  if (fault?.status) {
    count(`fault ${fault.status}`);
    ctx.status = fault.status;
    if (fault.retryAfter) ctx.set('Retry-After', fault.retryAfter);
    if (fault.echo) {
      ctx.type = 'application/json';
      ctx.body = await echoAnswer(ctx, fault.error);
    } else if (fault.body !== undefined) {
      ctx.type = fault.contentType;
      ctx.body = fault.body;
    } else {
      ctx.body = fault.status === 401
        ? { error: 'invalid_client', error_description: 'client authentication failed' }
        : 'injected fault';
    }
    return;
  }
  await next();
  if (fault?.body !== undefined) {
    count('fault body');
    ctx.status = 200;
    ctx.type = fault.contentType;
    ctx.body = fault.body;
  }
  for (const field of fault?.inject ?? []) {
    if (ctx.body && typeof ctx.body === 'object') ctx.body[field] = `${ctx.body[field] ?? ''}${fault.text}`;
  }
  const grantType = ctx.oidc?.params?.grant_type;
  if (ctx.path === '/token' && grantType) count(`grant ${grantType} ${ctx.status}`);
  if (ctx.path === '/token' && ctx.body?.id_token) {
    const index = idTokenChanges.findIndex((c) => c.grant === grantType);
    if (index !== -1) {
      count(`id token changed ${grantType}`);
      ctx.body.id_token = signedAgain(ctx.body.id_token, idTokenChanges.splice(index, 1)[0]);
    }
  }
  if (ctx.path === '/token' && omitExpiresIn && ctx.body?.expires_in !== undefined) delete ctx.body.expires_in;
  if (ctx.path === '/token' && refreshTokenExpiresIn !== undefined && ctx.body?.refresh_token) {
    ctx.body.refresh_token_expires_in = refreshTokenExpiresIn;
  }
  if (ctx.path === '/device/auth' && deviceInterval !== undefined && ctx.body?.device_code) ctx.body.interval = deviceInterval;
  // The real handler ran (a refresh token may have rotated) but the answer comes late.
  if (fault?.delayAfterMs) await sleep(fault.delayAfterMs);
}

// The document at the OpenID Connect discovery address; with DISCOVERY=oauth, none (a server
// that speaks only RFC 8414), with DISCOVERY=split, one without the endpoints RFC 8414's lists.
async function openidConfiguration(ctx, next) {
  const internal = ctx.get('x-test-internal') === '1';
  if (discovery === 'oauth' && !internal) {
    ctx.status = 404;
    ctx.body = { error: 'not_found' };
    return;
  }
  await next();
  if (discovery === 'split' && !internal && ctx.body) {
    delete ctx.body.revocation_endpoint;
    delete ctx.body.introspection_endpoint;
  }
}

// RFC 8414 §3: the same metadata (none with DISCOVERY=openid, as oidc-provider serves none).
async function authorizationServerMetadata(ctx) {
  if (discovery === 'openid' || ctx.get('x-test-rfc8414') !== '1') {
    ctx.status = 404;
    ctx.body = { error: 'not_found' };
    return;
  }
  const answer = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { 'x-test-internal': '1' } });
  ctx.body = await answer.json();
}

// Whether a POST's form body names `client_id`. The body is read here, so oidc-provider parses
// it from `ctx.request.body` afterwards (its fallback for a body an upstream parser read).
async function hasClientIdInBody(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString('utf8');
  ctx.request.body = body;
  return new URLSearchParams(body).has('client_id');
}

// `token` with `change` applied to its claims, signed again with the provider's key.
function signedAgain(token, change) {
  const [header, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  for (const [name, value] of Object.entries(change.claims)) {
    if (value === null) delete claims[name];
    else claims[name] = value;
  }
  if (change.shiftAuthTime && claims.auth_time !== undefined) claims.auth_time += change.shiftAuthTime;
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign('sha256', Buffer.from(body), privateKey).toString('base64url')}`;
}

const callback = provider.callback();
server.on('request', (req, res) => {
  let path = req.url.split('?')[0];
  // RFC 8414 §3.1 puts the document before the issuer's path; it is served with the rest (faults
  // apply) from under it.
  // (Asked for there only: a client that appends the path as OpenID Connect does gets a 404.)
  delete req.headers['x-test-rfc8414'];
  if (path === `/.well-known/oauth-authorization-server${mount}`) {
    req.url = path = `${mount}/.well-known/oauth-authorization-server`;
    req.headers['x-test-rfc8414'] = '1';
  }
  if (mount) {
    if (path !== mount && !path.startsWith(`${mount}/`)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    // oidc-provider takes the part of originalUrl before req.url as its mount path.
    req.originalUrl = req.url;
    req.url = req.url.slice(mount.length) || '/';
  }
  callback(req, res);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.stdout.write(`listening ${issuer}\n`);
