"""mscli: a command-line evidence lookup on stem cell therapies for multiple sclerosis."""

__version__ = "0.1.0"
