#!/usr/bin/env python
"""Django's command-line utility; `keywork` is the same thing installed as a console script."""

from keywork.cli import main

if __name__ == "__main__":
    main()
