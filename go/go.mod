module steady.dev/steady

go 1.24
