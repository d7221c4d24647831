from ninja import Router

router = Router(tags=["好差评与投诉"])
