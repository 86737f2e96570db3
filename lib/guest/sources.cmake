target_sources(vcrypto-guest PRIVATE)
