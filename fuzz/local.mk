# fuzz/: libFuzzer targets (configure --enable-fuzz, CC=clang).
