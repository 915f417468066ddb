"""The page plan: what pages a site has, their context and what each depends on."""
