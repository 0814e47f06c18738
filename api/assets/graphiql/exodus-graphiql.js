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

  function fetcher(params, options) {
    return fetcherFor(authorization(options && options.headers))(params, options);
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
