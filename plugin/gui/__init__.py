"""Desktop extras of the plugin: drill-down dock, basemap, pipeline model opener, About."""
