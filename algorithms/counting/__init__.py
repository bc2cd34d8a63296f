"""From probe requests to people: the window's PRs cleaned and grouped into emissions, the MACs classed, and
the counts of clients (paper §3.2, §3.4, §4.4 and §6.1.3: Preprocessing and Counting), over the site or per
zone."""
