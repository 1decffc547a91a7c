"""職員アンケート (issue 12): the anonymous staff survey."""
