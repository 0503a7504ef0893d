#!/bin/sh
# A stand-in for turnrl-sandbox-launcher that starts the runner with no_new_privs but WITHOUT a
# seccomp filter or namespaces, so tests can check that the pool refuses to run then. Called
# as the pool calls the real launcher: --python P --runner R --scratch S --scratch-mb N [...]
exec setpriv --no-new-privs "$2" -I -S -B "$4" --seccomp-fd -1 --layers nonewprivs --scratch "$6"
