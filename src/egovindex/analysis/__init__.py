"""What moves the rank: what-if scenarios, target seeking, rank-change explanation, sensitivity, nowcast."""
