"""The demo district: a generated 新华区 shaped like the district of seed 000, and its logins."""
