"""`python -m rehabplan` runs the command line."""

from rehabplan.cli import main

if __name__ == "__main__":
    main()
