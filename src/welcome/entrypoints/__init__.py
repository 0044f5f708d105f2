"""Nameko-facing side: the service class and the reliable event entrypoint it uses."""
