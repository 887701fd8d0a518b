"""Work orders (工单) for diverted matters: routing, deadlines, sign, return, feedback, return visit."""
