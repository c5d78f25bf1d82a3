module a20network.org/fieldbook/earlyenv

go 1.26.0
