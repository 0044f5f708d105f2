"""The HTTP/1.1 server under nameko's @http: requests parsed by llhttp, each answer in one write,
RFC 9112's musts and deadlines kept, a drain on shutdown (`web_server`, `connection`), and the
WSGI application's shortcuts (`wsgi_app`, `signatures`). It is what makes the HTTP layer fast;
the routes, entrypoints and error documents above it do not depend on how. Figures are in the
README's Performance section."""
