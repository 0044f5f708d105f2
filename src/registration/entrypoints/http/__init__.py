"""The HTTP primary adapter: nameko @http routes that translate, call one use case, answer."""
