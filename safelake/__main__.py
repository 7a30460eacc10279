from safelake.cli import main

main()
