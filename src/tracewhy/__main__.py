from tracewhy.cli import main

main()
