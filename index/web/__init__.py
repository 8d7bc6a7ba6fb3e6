"""Sources on the web: fetching, feeds, sitemaps."""
