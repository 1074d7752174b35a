ÅSELECT $tag$ body never ends; $ta$ $$
