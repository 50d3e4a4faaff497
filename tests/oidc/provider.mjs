// A real OpenID Connect provider (oidc-provider, OpenID Certified) on 127.0.0.1 for the single
// sign-on tests. Everything it serves comes from here: no font, script or page from elsewhere.
//
//   node provider.mjs CONFIG_JSON        (PORT=9000 node provider.mjs: a fixed port)
//
// CONFIG_JSON: {"client": {"client_id", "client_secret", "redirect_uris": [...],
//               "post_logout_redirect_uris": [...]},
//               "accounts": {"<login>": {"password", "email", "email_verified"}}}
// Listens on a free port and prints one line, {"issuer": "http://127.0.0.1:<port>"}, once ready.
// People sign in on its own small page (labelled "Username" and "Password"); consent is implied
// (a company's own provider for its own app), so a signed-in person goes straight back.
import http from 'node:http';
import { URLSearchParams } from 'node:url';

import Provider from 'oidc-provider';

// Without CONFIG_JSON: the demo company's four people (README, "Single sign-on") for `make run`.
const DEMO_SITES = ['http://127.0.0.1:8000', 'http://localhost:8000'];
const DEMO = {
  client: {
    client_id: 'chain-survey-demo',
    client_secret: 'chain-survey-demo-secret',
    redirect_uris: DEMO_SITES.map((site) => `${site}/accounts/sso/callback/`),
    post_logout_redirect_uris: DEMO_SITES.map((site) => `${site}/accounts/login/`),
  },
  accounts: Object.fromEntries(['emma.lopez', 'marcus.reed', 'elena.fischer', 'hannah.okafor'].map((name) => [
    name.split('.')[0],
    { password: 'chain-survey-demo', email: `${name}@demo.example`, email_verified: true },
  ])),
};
const config = process.argv[2] ? JSON.parse(process.argv[2]) : DEMO;
const accounts = config.accounts || {};
const port = Number(process.env.PORT || 0); // 0: any free port (the tests); the demo uses a fixed one

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

function loginForm(uid, message = '') {
  return page('Test company sign-in', `${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="off" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" required></p>
<p><button type="submit">Sign in</button></p></form>`);
}

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...config.client,
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: account.email_verified };
        },
      };
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out of the test company', `${form}
<p><button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button></p>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p>You are signed out of the test company.</p>');
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Provider error', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  });
  provider.proxy = false;
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([^/?]+)/.exec(req.url);
    if (!match) {
      callback(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      const { prompt, params, session } = details;
      if (prompt.name === 'login') {
        if (req.method !== 'POST') {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(loginForm(details.uid));
          return;
        }
        const body = await readBody(req);
        const login = body.get('username') || '';
        if (!accounts[login] || accounts[login].password !== body.get('password')) {
          res.statusCode = 401;
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(loginForm(details.uid, 'Unknown username or wrong password.'));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
        return;
      }
      // consent: implied for the company's own app.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (error) {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page('Provider error', `<p>${escape(error.message)}</p>`));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
