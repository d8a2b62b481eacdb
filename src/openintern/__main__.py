from openintern.cli.main import main

main()
