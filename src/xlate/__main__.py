from xlate.noop import main

main()
