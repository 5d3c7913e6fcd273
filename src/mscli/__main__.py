from mscli.cli.entry import main

main()
