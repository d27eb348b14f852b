"""The storefront widget retailers embed (/widget.js): signed shopper identities, widget tokens, the feature
registry, the per-store widget settings, the associate panel's endpoints and scripts."""
