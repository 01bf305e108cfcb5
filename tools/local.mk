# tools/: sipsa-client, sipsa-bench.
