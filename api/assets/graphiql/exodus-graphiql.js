// Exodus's GraphiQL: queries over HTTP POST to this page's own address, subscriptions over
// graphql-ws on the same address, and the Authorization header from the headers editor sent
// with both (the websocket carries it in `connection_init`, so a changed header opens a new
// socket). Everything the page loads comes from this server: it works offline.
(function () {
  'use strict';
  var endpoint = location.origin + location.pathname;
  var socketEndpoint = endpoint.replace(/^http/, 'ws');

  function authorization(headers) {
    if (!headers) return '';
    for (var name in headers) {
      if (name.toLowerCase() === 'authorization') return String(headers[name]);
    }
    return '';
  }

  var current = null; // { auth, socket, fetcher }
  function fetcherFor(auth) {
    if (!current || current.auth !== auth) {
      if (current) current.socket.dispose();
      var socket = graphqlWs.createClient({
        url: socketEndpoint,
        lazy: true,
        connectionParams: auth ? { Authorization: auth } : {},
      });
      current = {
        auth: auth,
        socket: socket,
        fetcher: GraphiQL.createFetcher({ url: endpoint, wsClient: socket }),
      };
    }
    return current.fetcher;
  }

  // GraphiQL hands the fetcher the editor's parsed document and operation name from its state,
  // which can lag behind the editor's text right after it changed (pasted or set, then run at
  // once): the previous document then decides the transport, and a subscription goes over
  // HTTP. The fetcher parses the text it is given instead, and drops an operation name that
  // text does not define (its first operation runs).
  function fresh(params, options) {
    var p = params;
    var o = options;
    if (!p || typeof p.query !== 'string' || !GraphiQL.GraphQL) return [p, o];
    var documentAST;
    try {
      documentAST = GraphiQL.GraphQL.parse(p.query);
    } catch (e) {
      return [p, o]; // the server says what is wrong with it
    }
    var names = documentAST.definitions
      .filter(function (d) { return d.kind === 'OperationDefinition' && d.name; })
      .map(function (d) { return d.name.value; });
    if (p.operationName && names.indexOf(p.operationName) < 0) {
      p = Object.assign({}, p, { operationName: undefined });
    }
    o = Object.assign({}, o, { documentAST: documentAST });
    return [p, o];
  }

  function fetcher(params, options) {
    var fixed = fresh(params, options);
    return fetcherFor(authorization(fixed[1] && fixed[1].headers))(fixed[0], fixed[1]);
  }

  var defaultQuery = [
    '# Welcome to Exodus: who left what, by which act, who reacted how.',
    '#',
    '# Run with Ctrl-Enter. The Docs and Explorer buttons on the left show the schema.',
    '# Editors: put {"Authorization": "Bearer <token>"} in Headers below.',
    '# Live updates: subscription { changes { cursor kind action recordId } }',
    '',
    'query InternetBodies {',
    '  withdrawals(filter: { digitalRelevance: [CORE] }, first: 5) {',
    '    totalCount',
    '    edges {',
    '      node {',
    '        organization { name acronym }',
    '        announcedOn',
    '        withdrawalStatus',
    '      }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
