from rabatt.cli import main

main()
