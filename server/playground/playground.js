// The admins' playground: GraphiQL from the server's own packages (no CDN), queries
// over HTTP and subscriptions over the graphql-ws WebSocket on the same path. The bearer
// token goes in the Headers tab: {"Authorization": "Bearer <token>"}.
(function () {
  var httpUrl = window.location.origin + '/graphql';
  var wsUrl = httpUrl.replace(/^http/, 'ws');
  var httpFetcher = GraphiQL.createFetcher({ url: httpUrl });

  function authorizationOf(headers) {
    if (!headers) return undefined;
    return headers.Authorization || headers.authorization;
  }

  // Subscriptions go over graphql-ws on the same path; the token from the Headers tab
  // travels in connection_init, as the API expects.
  async function* subscribe(params, headers) {
    var authorization = authorizationOf(headers);
    var client = graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      retryAttempts: 0,
      connectionParams: authorization ? { authorization: authorization } : {},
    });
    try {
      yield* client.iterate({ query: params.query, variables: params.variables, operationName: params.operationName });
    } finally {
      await client.dispose();
    }
  }

  function isSubscription(params) {
    var name = params.operationName;
    var pattern = name ? new RegExp('subscription\\s+' + name + '\\b') : /^\s*subscription\b/m;
    return pattern.test(params.query);
  }

  function fetcher(params, options) {
    if (isSubscription(params)) return subscribe(params, options && options.headers);
    return httpFetcher(params, options);
  }

  var defaultQuery = [
    '# Welcome to huikuan. Sign in first:',
    '#   mutation { login(email: "admin@example.com", password: "…") { token } }',
    '# then put {"Authorization": "Bearer <token>"} in the Headers tab below.',
    '',
    'query Me {',
    '  me { id email name role }',
    '}',
    '',
  ].join('\n');

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: '{\n  "Authorization": "Bearer "\n}',
      headerEditorEnabled: true,
      shouldPersistHeaders: true,
    }),
  );
})();
