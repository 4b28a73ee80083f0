"""The commands of ``twitchdx``, one module each: they parse, call the layers below and
print.  cli.py loads a command only when it runs."""
