from hotelbox.cli import main

main()
