"""The site's radio and the maximum-likelihood client maps (beyond the paper): the detection model of an
emission at the APs, its fit from the data (the self-calibrating list-mode estimator), radio tables, and the
map's own check against a site twin."""
