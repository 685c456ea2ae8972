"""`python -m bench`: see bench/run.py."""

import sys

if "--ray" in sys.argv[1:]:  # the Ray executor's bench (needs the ray extra): bench/ray_bench.py
    from bench.ray_bench import main as ray_main

    sys.exit(ray_main([a for a in sys.argv[1:] if a != "--ray"]))

from bench.run import main

sys.exit(main())
