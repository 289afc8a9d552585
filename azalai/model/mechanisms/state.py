"""Mechanism 8: the state — redeployment where security allows, and collusion with allied militias.

Seed: "After the 2006 Tuareg rebellion, Mali's government increasingly turned to largely ethnic
militias, especially the Imghad Tuareg and Lamhar Arabs, as a way to counterbalance separatist
militancy. In return, the government looked the other way or actively profited from the trafficking
activities of these and related groups." And: "the Malian government, whose reimplantation in Mali's
central and northern regions has been halting at best."

The state's redeployment is the movement mechanism (``movement.reallocate``) applied to the state's
forces: they move toward the populated places worth holding, discounted by the hostile strength
there (security), at the pace the redeployment lever sets, and its force size follows its lever.
Collusion acts in the trafficking mechanism (allied convoys pass state posts; officials take a cut of
allied militias' rents) and the state's abuses act in the violence mechanism (reprisals by state
forces, weighted by ``state_abuse``). The state's presence reduces the grievance of absence in the
communities mechanism.
"""

