"""The command-line tools. eventlet is imported first, without its import-time notice, so that no
tool's output starts with it whatever the tool imports next."""

from service_kit.nameko_cli import import_eventlet_quietly

import_eventlet_quietly()
