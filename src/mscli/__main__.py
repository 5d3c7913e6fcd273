from mscli.cli.app import main

main()
