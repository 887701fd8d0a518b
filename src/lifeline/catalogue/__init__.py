"""The matters catalogue (诉求事项清单): every kind of matter, who owns it, agreed and versioned by both centres."""
