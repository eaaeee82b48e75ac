// The admins' playground: GraphiQL from the server's own packages (no CDN), queries
// over HTTP and subscriptions over the graphql-ws WebSocket on the same path. The bearer
// token goes in the Headers tab: {"Authorization": "Bearer <token>"}.
(function () {
  var httpUrl = window.location.origin + '/graphql';
  var wsUrl = httpUrl.replace(/^http/, 'ws');
  var headersKey = 'graphiql:headers';

  function currentAuthorization() {
    try {
      var headers = JSON.parse(window.localStorage.getItem(headersKey) || '{}');
      return headers.Authorization || headers.authorization;
    } catch (e) {
      return undefined;
    }
  }

  var wsClient = graphqlWs.createClient({
    url: wsUrl,
    lazy: true,
    connectionParams: function () {
      var authorization = currentAuthorization();
      return authorization ? { authorization: authorization } : {};
    },
  });

  var fetcher = GraphiQL.createFetcher({ url: httpUrl, wsClient: wsClient });
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
