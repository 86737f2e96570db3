target_sources(vcrypto PRIVATE)
