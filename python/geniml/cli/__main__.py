from geniml.cli import main

main()
