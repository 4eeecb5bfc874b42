"""The weekly digest (respectful engagement): the week's shout-outs, new connections and team
celebrations, to each person at their team's chosen local time, once a week."""
